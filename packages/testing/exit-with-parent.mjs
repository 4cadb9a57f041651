// Loaded into every server process a test or a bench starts: when the process that started it goes
// (even by SIGKILL, when no teardown runs) the IPC channel to it closes, and the server exits
// instead of living on as an orphan that holds the test runner's output open or a bench's port.
process.once('disconnect', () => process.exit(1))
// A process of a service run in several (PROCESSES) talks to the first one over its channel.
if (process.env.SERVICE_PROCESS_SUPERVISED !== '1') process.channel?.unref()
