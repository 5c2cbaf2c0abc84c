import { z } from 'zod';

/**
 * How a file the console wrote reaches the user: saved where they chose (Electron's save
 * dialog) or offered as a one-time download (the browser host).
 */
export const fileDelivery = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('saved'), path: z.string(), fileName: z.string() }),
  z.object({ kind: z.literal('download'), url: z.string(), fileName: z.string() }),
]);
export type FileDelivery = z.output<typeof fileDelivery>;

/** An upload's token (browser host); in Electron the main process shows an open dialog instead. */
export const uploadTokenSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{16,64}$/, 'Choose the file again')
  .optional();

/** An export: where its file went, and how many rows it holds. */
export const savedFile = z.object({
  /** null: the user cancelled the save dialog. */
  delivery: fileDelivery.nullable(),
  rows: z.number(),
});

/**
 * What the browser host's bridge adds: the page hands it a file the user picked, and gets a
 * token to name that file in a channel's input. Electron has no such function: its main
 * process shows an open dialog itself.
 */
export interface UploadResult {
  token: string;
  fileName: string;
  size: number;
}
