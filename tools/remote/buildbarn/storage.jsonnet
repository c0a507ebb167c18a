// bb_storage: CAS and action cache in memory, and the clients' frontend,
// which forwards Execute to the scheduler. RUN_DIR is replaced by servers.sh.
local mem(entries, block, nb) = { 'local': {
  keyLocationMapInMemory: { entries: entries },
  keyLocationMapMaximumGetAttempts: 8,
  keyLocationMapMaximumPutAttempts: 32,
  oldBlocks: 8, currentBlocks: 24, newBlocks: nb,
  blocksInMemory: { blockSizeBytes: block },
} };
{
  grpcServers: [{ listenPaths: ['RUN_DIR/storage.sock'], authenticationPolicy: { allow: {} } }],
  schedulers: { '': { endpoint: { address: 'unix://RUN_DIR/scheduler-client.sock' } } },
  executeAuthorizer: { allow: {} },
  maximumMessageSizeBytes: 16 * 1024 * 1024,
  contentAddressableStorage: {
    backend: mem(100000, 8 * 1024 * 1024, 3),
    getAuthorizer: { allow: {} }, putAuthorizer: { allow: {} }, findMissingAuthorizer: { allow: {} },
  },
  actionCache: {
    // Completeness checking hides entries whose blobs are gone.
    backend: { completenessChecking: { backend: mem(10000, 256 * 1024, 1), maximumTotalTreeSizeBytes: 64 * 1024 * 1024 } },
    getAuthorizer: { allow: {} }, putAuthorizer: { allow: {} },
  },
}
