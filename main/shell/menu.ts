import { app, Menu } from 'electron';
import type { MenuItemConstructorOptions } from 'electron';

/**
 * A short menu: editing (copy and paste in forms, which macOS routes through the menu) and
 * zoom (Section 508: text can be enlarged from the keyboard). Reload and developer tools only
 * in a development run: in the installed console they would let anyone at the keyboard run
 * script in the signed-in page.
 */
export function installMenu(): void {
  const isMac = process.platform === 'darwin';
  const view: MenuItemConstructorOptions[] = [
    { role: 'resetZoom' },
    { role: 'zoomIn' },
    { role: 'zoomOut' },
    { type: 'separator' },
    { role: 'togglefullscreen' },
  ];
  if (!app.isPackaged) view.push({ type: 'separator' }, { role: 'reload' }, { role: 'toggleDevTools' });
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' } as const] : [{ role: 'fileMenu' } as const]),
    { role: 'editMenu' },
    { label: 'View', submenu: view },
    { role: 'windowMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
