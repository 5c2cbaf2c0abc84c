import { create } from 'zustand';

/** The footer's pages, shown in a pop-up: a desktop console has no web pages to link to. */
export type HelpTopic = 'accessibility' | 'privacy' | 'terms' | 'help';

interface HelpState {
  topic: HelpTopic | null;
  open(topic: HelpTopic): void;
  close(): void;
}

export const useHelp = create<HelpState>()((set) => ({
  topic: null,
  open(topic) {
    set({ topic });
  },
  close() {
    set({ topic: null });
  },
}));
