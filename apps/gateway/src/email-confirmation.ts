import type { FastifyInstance, FastifyReply } from 'fastify'

/** Its own script only, which talks to this origin alone; never framed. */
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Confirm your email address</title>
<script src="/verify-email.js" defer></script>
</head>
<body>
<main>
<h1>Confirm your email address</h1>
<p id="status" role="status">Loading…</p>
<noscript><p>This page needs JavaScript to confirm the address.</p></noscript>
<button id="confirm" type="button" hidden>Confirm this address</button>
</main>
</body>
</html>
`

// The token comes after # (never sent to a server, so in no log) and leaves the address bar at
// once. It is posted only when the user presses the button: a mail scanner that opens the link
// confirms nothing. A refusal is final and shown as the service words it; an answer that may come
// right next time (rate limit, timeout, a service down, no network) leaves the button.
const SCRIPT = `'use strict'
const token = new URLSearchParams(location.hash.slice(1)).get('token')
const status = document.getElementById('status')
const button = document.getElementById('confirm')
history.replaceState(null, '', location.pathname)
if (!token) {
  status.textContent = 'This link has no token: open the link from the email as it came.'
} else {
  status.textContent = 'Press the button to confirm the address this link was mailed to.'
  button.hidden = false
  button.addEventListener('click', async () => {
    button.disabled = true
    status.textContent = 'Confirming…'
    let answer = { status: 0, body: {} }
    try {
      const response = await fetch('/api/v1/users/email/verify', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token }),
      })
      answer = { status: response.status, body: (await response.json().catch(() => null)) ?? {} }
    } catch {}
    const confirmed = answer.status === 200 && answer.body.verified === true
    const final = confirmed || (answer.status >= 400 && answer.status < 500 && answer.status !== 408 && answer.status !== 429)
    status.textContent = confirmed
      ? 'Your email address is confirmed.'
      : final && typeof answer.body.message === 'string'
        ? answer.body.message
        : 'The address could not be confirmed just now. Try again in a moment.'
    button.hidden = final
    button.disabled = false
  })
}
`

/**
 * A page for the links user-service mails (`EMAIL_VERIFY_URL`): it shows a button that posts the
 * link's token to `POST /api/v1/users/email/verify`. For a suite without a page of its app there.
 */
export async function emailConfirmation(app: FastifyInstance) {
  const serve = (type: string, body: string) => (_request: unknown, reply: FastifyReply) =>
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY).header('cache-control', 'no-store').type(type).send(body)
  app.get('/verify-email', { schema: { hide: true } }, serve('text/html; charset=utf-8', PAGE))
  app.get('/verify-email.js', { schema: { hide: true } }, serve('text/javascript; charset=utf-8', SCRIPT))
}
