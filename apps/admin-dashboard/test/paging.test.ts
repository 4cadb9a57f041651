import t from 'tap'
import { cursorOf, firstPage, hasPrevious, nextPage, pageNumber, previousPage, userFilters, userSearch } from '../src/lib/paging.ts'

t.test('forward by the cursors the API gives, and back the same way', async (t) => {
  const first = firstPage()
  t.equal(cursorOf(first), undefined, 'the first page is asked without a cursor')
  t.equal(pageNumber(first), 1)
  t.notOk(hasPrevious(first))

  const second = nextPage(first, 'c2')
  const third = second && nextPage(second, 'c3')
  if (!second || !third) throw new Error('a page with a nextCursor has a next page')
  t.equal(cursorOf(third), 'c3')
  t.equal(pageNumber(third), 3)

  const back = previousPage(third)
  t.equal(cursorOf(back), 'c2', 'back asks the page before with its own cursor again')
  t.equal(cursorOf(previousPage(back)), undefined)
  t.same(previousPage(first), first, 'there is nothing before the first page')
  t.equal(pageNumber(third), 3, 'moving returns new pages and leaves the old ones as they were')
})

t.test('the last page has no next', async (t) => {
  t.equal(nextPage(firstPage(), null), null)
})

t.test('the user filters in the address: only what the API takes, and the same filters give the same address', async (t) => {
  t.same(userFilters('q=%20ada%20&userType=demo&status=banned'), { q: 'ada', userType: 'demo', status: 'banned' })
  t.same(userFilters('userType=admin&status=&q='), { q: undefined, userType: undefined, status: undefined }, 'unknown values are dropped')
  t.equal(userFilters(`q=${'x'.repeat(300)}`).q?.length, 100, 'a search longer than the API takes is cut')
  t.equal(userSearch({ q: 'a b', status: 'active' }), 'q=a+b&status=active')
  t.equal(userSearch(userFilters('status=active&q=a+b')), 'q=a+b&status=active', 'the order it came in does not matter')
  t.equal(userSearch({}), '')
})
