// Usage: pnpm -C apps/user-service run promote <phone|email>
// Gives the admin role to the existing live user with this phone or email, read from DATABASE_URL
// (demo accounts, where shared store-review codes live, never get it). For a first administrator
// before anyone signs in, use ADMIN_BOOTSTRAP instead.
import { createDatabase } from '@otp-suite/db'
import { identifyDestination } from '@otp-suite/destination'
import { loadConfig } from '@otp-suite/service-kit'
import { Type } from 'typebox'
import { UserServiceConfig } from './config.ts'
import { PrismaClient } from './generated/prisma/client.ts'

const { DATABASE_URL, OTP_DEFAULT_REGION } = loadConfig(
  Type.Object({
    DATABASE_URL: UserServiceConfig.properties.DATABASE_URL,
    OTP_DEFAULT_REGION: UserServiceConfig.properties.OTP_DEFAULT_REGION,
  }),
)
const input = process.argv[2]
if (!input) {
  console.error('usage: promote <phone|email>')
  process.exit(2)
}
const { channel, destination } = identifyDestination(input, { defaultRegion: OTP_DEFAULT_REGION, validation: 'possible' })
const database = createDatabase({ url: DATABASE_URL, poolMax: 1 }, (adapter) => new PrismaClient({ adapter }))
try {
  const { count } = await database.prisma.user.updateMany({
    where: { userType: 'live', ...(channel === 'sms' ? { phone: destination } : { email: destination }) },
    data: { role: 'admin' },
  })
  console.log(count === 0 ? `No live user has ${destination}` : `${destination}: the user is now an admin`)
  process.exitCode = count === 0 ? 1 : 0
} finally {
  await database.close()
}
