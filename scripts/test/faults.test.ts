import t from 'tap'
import { FAULTS, runFault } from '../faults/run.ts'

// Every fault script, as `pnpm faults` runs it: each starts what it needs, breaks it, and exits
// non-zero when something did not hold (its output says what).
t.setTimeout(FAULTS.length * 120_000)
for (const name of FAULTS) {
  t.test(name, async (t) => {
    // Its lines as comments: a script's "ok …" must not read as a test point of this file.
    const { passed, output } = runFault(name, { capture: true })
    t.comment(output.trimEnd())
    // What failed, in the test point's own line too: the one a reader of a long log's end sees.
    const failed = output.split('\n').filter((line) => line.startsWith('FAIL '))
    t.ok(passed, [`${name} held`, ...failed.map((line) => line.replace(/\s+/g, ' ').slice(0, 400))].join(': '))
  })
}
