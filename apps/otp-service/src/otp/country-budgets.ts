/**
 * `OTP_SMS_COUNTRY_HOURLY_BUDGETS="*:500,44:200,91:5000"` → calling code → SMS per clock hour; `*`
 * is every country not listed. A ceiling on what an SMS-pumping attack can cost, held in PostgreSQL
 * across instances; empty means no budget.
 */
export function parseCountryBudgets(list: string): ReadonlyMap<string, number> {
  const budgets = new Map<string, number>()
  for (const entry of list
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    const [country, budget] = entry.split(':')
    if (!country || !/^(\*|\d{1,3})$/.test(country) || !budget || !/^\d{1,9}$/.test(budget)) {
      throw new Error(`"${entry}" is not <calling code or *>:<sends per hour>`)
    }
    budgets.set(country, Number(budget))
  }
  return budgets
}
