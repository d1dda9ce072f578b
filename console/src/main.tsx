/** The console's entry: load config.json, restore the session, and show sign-in or the signed-in shell. */
import { render } from 'preact';
import { loadConfig } from './client';
import { configure, config, me, session } from './state';
import { SignIn } from './sign-in';
import { SetPassword } from './invitation';
import { route } from './route';
import { Shell } from './shell';

function App() {
  if (!config.value) return <p class="loading">Loading…</p>;
  const [first, token] = route.value;
  if (first === 'invitation' && token) return <SetPassword token={token} />;
  if (!session.value || !me.value) return <SignIn />;
  return <Shell />;
}

const root = document.getElementById('app');
if (root) {
  render(<App />, root);
  loadConfig()
    .then(configure)
    .catch((error: unknown) => {
      root.textContent = `The console could not start: ${String(error)}`;
    });
}
