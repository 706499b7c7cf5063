import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

// Placeholder until the customer display lands.
const root = document.getElementById('root');
if (root !== null) {
  createRoot(root).render(
    <StrictMode>
      <p>Welcome</p>
    </StrictMode>,
  );
}
