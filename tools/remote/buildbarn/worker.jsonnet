// bb_worker: a native (hardlinking) build directory, no FUSE, two runner
// slots. RUN_DIR is replaced by servers.sh.
{
  blobstore: {
    contentAddressableStorage: { grpc: { address: 'unix://RUN_DIR/storage.sock' } },
    actionCache: { grpc: { address: 'unix://RUN_DIR/storage.sock' } },
  },
  browserUrl: 'http://127.0.0.1:1',
  maximumMessageSizeBytes: 16 * 1024 * 1024,
  scheduler: { address: 'unix://RUN_DIR/scheduler-worker.sock' },
  buildDirectories: [{
    native: {
      buildDirectoryPath: 'RUN_DIR/worker/build',
      cacheDirectoryPath: 'RUN_DIR/worker/cache',
      maximumCacheFileCount: 10000,
      maximumCacheSizeBytes: 256 * 1024 * 1024,
      cacheReplacementPolicy: 'LEAST_RECENTLY_USED',
    },
    runners: [{
      endpoint: { address: 'unix://RUN_DIR/worker/runner' },
      concurrency: 2,
      platform: {},
      workerId: { hostname: 'localhost', slot: '0' },
    }],
  }],
  inputDownloadConcurrency: 4,
  outputUploadConcurrency: 4,
  directoryCache: { maximumCount: 1000, maximumSizeBytes: 1000 * 1024, cacheReplacementPolicy: 'LEAST_RECENTLY_USED' },
}
