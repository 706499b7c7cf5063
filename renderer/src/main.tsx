import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

// Placeholder until the till shell lands; replaced by the app root.
const root = document.getElementById('root');
if (root !== null) {
  createRoot(root).render(
    <StrictMode>
      <p>Omnitill is starting…</p>
    </StrictMode>,
  );
}
