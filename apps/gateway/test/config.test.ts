import t from 'tap'
import { loadGatewayConfig } from '../src/config.ts'

t.test('the services are named as the other services name them, or in the …_URLS form, which wins', async (t) => {
  const config = loadGatewayConfig({
    OTP_SERVICE_URL: 'http://otp-1:3000, http://otp-2:3000',
    USER_SERVICE_URL: 'http://not-this:3000',
    USER_SERVICE_URLS: 'http://user:3000',
  })
  t.equal(config.OTP_SERVICE_URLS, 'http://otp-1:3000, http://otp-2:3000')
  t.equal(config.USER_SERVICE_URLS, 'http://user:3000')
  t.equal(config.ADMIN_SERVICE_URLS, 'http://127.0.0.1:3003', 'neither form given: the default')
  t.throws(() => loadGatewayConfig({ OTP_SERVICE_URL: 'ftp://otp:3000' }), /OTP_SERVICE_URLS/, 'judged as the …_URLS form is')
})
