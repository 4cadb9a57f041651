import t from 'tap'
import { cursorOf, firstPage, hasPrevious, nextPage, pageNumber, previousPage } from '../src/lib/paging.ts'

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
