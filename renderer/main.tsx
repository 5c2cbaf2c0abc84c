import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@cmsgov/design-system/css/index.css';
import '@cmsgov/design-system/css/core-theme.css';
import './styles.css';
import './components/buttons.css';
import { App } from './App.js';

const container = document.getElementById('root');
if (!container) throw new Error('The page has no #root element.');

createRoot(container).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
