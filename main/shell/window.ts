import { app, BrowserWindow, screen } from 'electron';
import type { Rectangle } from 'electron';
import type { SettingsStore, WindowBounds } from './settings.js';
import { START_URL } from './policy.js';

const DEFAULT_SIZE = { width: 1280, height: 860 };

/**
 * The one console window. Every webPreference that matters is spelled out rather than left
 * to a default, so a reviewer (and electronegativity) can see the whole security stance here.
 */
export function createConsoleWindow(preloadPath: string, settings: SettingsStore): BrowserWindow {
  const saved = settings.windowBounds();
  const bounds = saved && isVisible(saved) ? saved : null;
  const window = new BrowserWindow({
    ...(bounds ? { x: bounds.x, y: bounds.y, width: bounds.width, height: bounds.height } : DEFAULT_SIZE),
    minWidth: 800,
    minHeight: 600,
    show: false,
    title: 'Security Official Console',
    backgroundColor: '#ffffff',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      spellcheck: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      // A middle click on a link would otherwise try to open a window (denied anyway).
      disableBlinkFeatures: 'Auxclick',
      // Developer tools only in a development run, never in the installed console.
      devTools: !app.isPackaged,
    },
  });

  window.once('ready-to-show', () => {
    if (bounds?.maximized) window.maximize();
    window.show();
  });
  window.on('close', () => {
    const normal = window.getNormalBounds();
    settings.saveWindowBounds({ ...normal, maximized: window.isMaximized() });
  });
  return window;
}

export function showConsolePage(window: BrowserWindow): Promise<void> {
  return window.loadURL(START_URL);
}

/** A saved position is used only if the window would still be reachable on a current display. */
function isVisible(bounds: WindowBounds): boolean {
  return screen.getAllDisplays().some(({ workArea }) => overlapArea(workArea, bounds) >= 100 * 100);
}

function overlapArea(a: Rectangle, b: Rectangle): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return width > 0 && height > 0 ? width * height : 0;
}
