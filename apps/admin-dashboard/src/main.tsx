import { render } from 'preact'
import { App } from './App.tsx'
import { createSession } from './lib/session.ts'
import './styles.css'

// The API is the gateway that serves this page.
render(<App session={createSession({ baseUrl: location.origin })} />, document.getElementById('app') as HTMLElement)
