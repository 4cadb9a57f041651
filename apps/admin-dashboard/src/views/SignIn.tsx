import { useEffect, useRef, useState } from 'preact/hooks'
import { useSession } from '../hooks.ts'
import { attempt } from '../lib/failure.ts'

type Channel = 'sms' | 'email'

/** Sign-in with a one-time code: the address, then the code sent to it. */
export function SignIn({ notice }: { notice?: string }) {
  const session = useSession()
  const [channel, setChannel] = useState<Channel>('sms')
  const [to, setTo] = useState('')
  const [code, setCode] = useState('')
  const [codeSent, setCodeSent] = useState(false)
  const [busy, setBusy] = useState(false)
  const [problem, setProblem] = useState<string>()
  const codeInput = useRef<HTMLInputElement>(null)
  // The address form is replaced by the code's: the keyboard goes on where the page went.
  useEffect(() => {
    if (codeSent) codeInput.current?.focus()
  }, [codeSent])
  const target = { channel, to: to.trim(), purpose: 'login' as const }
  const address = {
    id: 'to',
    name: 'to',
    value: to,
    required: true,
    onInput: (event: Event) => setTo((event.currentTarget as HTMLInputElement).value),
  }

  async function run(step: () => Promise<string | undefined>) {
    setBusy(true)
    setProblem(undefined)
    setProblem(await step())
    setBusy(false)
  }

  const send = (again: boolean) =>
    run(async () => {
      const sent = await attempt(() => (again ? session.suite.resendCode(target) : session.suite.sendCode(target)))
      if (sent.failure) return sent.failure.message
      setCodeSent(true)
      setCode('')
    })

  const verify = () =>
    run(async () => {
      const verified = await attempt(() => session.suite.verifyCode({ ...target, code: code.trim() }))
      if (verified.failure) return verified.failure.message
      const signedIn = await attempt(() => session.signIn(verified.data.proof))
      return signedIn.failure?.message
    })

  return (
    <main class="sign-in">
      <h1>Admin sign-in</h1>
      {notice && (
        <p class="note" role="status">
          {notice}
        </p>
      )}
      {codeSent ? (
        <form
          onSubmit={(event) => {
            event.preventDefault()
            verify()
          }}
        >
          <p>
            A code is on its way to <strong>{target.to}</strong>.
          </p>
          <label for="code">Code</label>
          <input
            id="code"
            name="code"
            value={code}
            onInput={(event) => setCode(event.currentTarget.value)}
            inputMode="numeric"
            autoComplete="one-time-code"
            required
            ref={codeInput}
          />
          <button type="submit" disabled={busy}>
            Verify and sign in
          </button>
          <div class="actions">
            <button type="button" class="link" disabled={busy} onClick={() => send(true)}>
              Send a new code
            </button>
            <button type="button" class="link" disabled={busy} onClick={() => setCodeSent(false)}>
              Use another {channel === 'sms' ? 'phone' : 'email'}
            </button>
          </div>
        </form>
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault()
            send(false)
          }}
        >
          <fieldset>
            <legend>Sign in with</legend>
            {(['sms', 'email'] as const).map((option) => (
              <label key={option} class="choice">
                <input type="radio" name="channel" value={option} checked={channel === option} onChange={() => setChannel(option)} />
                {option === 'sms' ? 'Phone' : 'Email'}
              </label>
            ))}
          </fieldset>
          <label for="to">{channel === 'sms' ? 'Phone number (with country code)' : 'Email address'}</label>
          {channel === 'sms' ? (
            <input type="tel" autoComplete="tel" {...address} />
          ) : (
            <input type="email" autoComplete="email" {...address} />
          )}
          <button type="submit" disabled={busy}>
            Send code
          </button>
        </form>
      )}
      {problem && (
        <p class="problem" role="alert">
          {problem}
        </p>
      )}
    </main>
  )
}
