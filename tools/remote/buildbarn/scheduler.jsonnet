// bb_scheduler: queues actions for the worker. RUN_DIR is replaced by servers.sh.
{
  adminHttpServers: [],
  clientGrpcServers: [{ listenPaths: ['RUN_DIR/scheduler-client.sock'], authenticationPolicy: { allow: {} } }],
  workerGrpcServers: [{ listenPaths: ['RUN_DIR/scheduler-worker.sock'], authenticationPolicy: { allow: {} } }],
  browserUrl: 'http://127.0.0.1:1',
  contentAddressableStorage: { grpc: { address: 'unix://RUN_DIR/storage.sock' } },
  maximumMessageSizeBytes: 16 * 1024 * 1024,
  executeAuthorizer: { allow: {} },
  modifyDrainsAuthorizer: { allow: {} },
  killOperationsAuthorizer: { allow: {} },
  synchronizeAuthorizer: { allow: {} },
  actionRouter: { simple: {
    platformKeyExtractor: { actionAndCommand: {} },
    invocationKeyExtractors: [{ toolInvocationId: {} }],
    initialSizeClassAnalyzer: { defaultExecutionTimeout: '300s', maximumExecutionTimeout: '600s' },
  } },
  platformQueueWithNoWorkersTimeout: '900s',
}
