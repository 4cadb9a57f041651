import t, { type Test } from 'tap'
import { clientAddress, createServer } from '../index.ts'
import { buildApp } from './build-app.ts'

async function keyApp(t: Test, TRUSTED_PROXIES = '') {
  const app = await buildApp(t, {}, { TRUSTED_PROXIES })
  app.get('/key', async (request) => ({ key: clientAddress(request) }))
  return async (remoteAddress: string, forwarded?: string) => {
    const headers = forwarded === undefined ? {} : { 'x-forwarded-for': forwarded }
    return (await app.inject({ method: 'GET', url: '/key', remoteAddress, headers })).json().key as string | null
  }
}

t.test('with no trusted proxy X-Forwarded-For is ignored', async (t) => {
  const keyOf = await keyApp(t)
  t.equal(await keyOf('203.0.113.9', '198.51.100.1'), '203.0.113.9')
  t.equal(await keyOf('127.0.0.1', '198.51.100.1'), '127.0.0.1', 'not even from loopback')
})

t.test('a trusted proxy is believed, anyone else is not', async (t) => {
  const keyOf = await keyApp(t, '10.0.0.0/8, 192.0.2.7')
  t.equal(await keyOf('10.1.2.3', '198.51.100.1'), '198.51.100.1')
  t.equal(await keyOf('192.0.2.7', '198.51.100.1'), '198.51.100.1')
  t.equal(await keyOf('10.1.2.3', '198.51.100.1, 10.9.9.9'), '198.51.100.1', 'through a chain of trusted proxies')
  t.equal(await keyOf('10.1.2.3', '198.51.100.1, 203.0.113.66'), '203.0.113.66', 'no further than the first untrusted hop')
  t.equal(await keyOf('203.0.113.9', '198.51.100.1'), '203.0.113.9', 'an untrusted peer cannot choose its address')
})

t.test('a forwarded entry that is no plain address counts as the connecting peer', async (t) => {
  const keyOf = await keyApp(t, '10.0.0.1')
  const notAddresses = [
    'fe80::1%eth0',
    `fe80::1%${'a'.repeat(5000)}`,
    'x'.repeat(300),
    '198.51.100.1:8080',
    '[2001:db8::1]',
    '[2001:db8::1]:443',
    '01.2.3.4',
    '1.2.3',
    '0x7f.0.0.1',
    '4294967295',
    'not an address',
    '198.51.100.1\u0000',
    '198.51.\u0001100.1',
    'unknown',
  ]
  for (const forwarded of notAddresses) t.equal(await keyOf('10.0.0.1', forwarded), '10.0.0.1', JSON.stringify(forwarded).slice(0, 40))
  t.equal(await keyOf('::ffff:10.0.0.1', 'garbage'), '10.0.0.1', 'the peer is normalized the same way')
})

t.test('IPv6 counts by /64 network, IPv4-mapped IPv6 as IPv4', async (t) => {
  const keyOf = await keyApp(t, '10.0.0.1')
  t.equal(await keyOf('10.0.0.1', '2001:db8:1:2::1'), '2001:db8:1:2::/64')
  t.equal(await keyOf('10.0.0.1', '2001:0DB8:0001:0002:ffff:eeee:dddd:cccc'), '2001:db8:1:2::/64', 'one host, one key')
  t.equal(await keyOf('10.0.0.1', '2001:db8:1:3::1'), '2001:db8:1:3::/64', 'the next /64 is someone else')
  t.equal(await keyOf('10.0.0.1', '::ffff:1.2.3.4'), '1.2.3.4')
  t.equal(await keyOf('2001:db8:9::7'), '2001:db8:9::/64', 'a peer reaching the service over IPv6')
})

t.test('an entry of TRUSTED_PROXIES that is not an address or range stops the boot, naming it', async (t) => {
  const settings = { LOG_LEVEL: 'silent', BODY_LIMIT_BYTES: 1024 }
  t.throws(() => createServer({ ...settings, TRUSTED_PROXIES: '10.0.0.1, gateway.internal' }), /TRUSTED_PROXIES.*gateway\.internal/)
  t.throws(() => createServer({ ...settings, TRUSTED_PROXIES: '10.0.0.0/99' }), /TRUSTED_PROXIES/)
  t.ok(
    createServer({ ...settings, TRUSTED_PROXIES: 'loopback, fd00::/8, 10.0.0.0/255.0.0.0' }),
    "proxy-addr's named ranges and netmasks work",
  )
})
