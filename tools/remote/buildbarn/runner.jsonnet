// bb_runner: runs commands for bb_worker, with an empty environment.
{
  buildDirectoryPath: 'RUN_DIR/worker/build',
  grpcServers: [{ listenPaths: ['RUN_DIR/worker/runner'], authenticationPolicy: { allow: {} } }],
}
