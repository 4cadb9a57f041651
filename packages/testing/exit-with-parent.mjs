// Loaded into every server process a test starts: when the test process goes (even by SIGKILL,
// when no teardown runs) the IPC channel to it closes, and the server exits instead of living on
// as an orphan that holds the test runner's output open.
process.once('disconnect', () => process.exit(1))
process.channel?.unref()
