// View data of the simple notice card: errors, confirmations, hints.
import { command, name, sentence, type CardButton, type TextColor } from './format.js';

export type MessageTone = 'info' | 'success' | 'warning' | 'error';

export interface MessageInput {
  title: string;
  /** Plain text; line breaks are kept, markdown and mentions are shown as written. */
  text: string;
  /** A command to suggest, e.g. `customers con`. */
  tryThis?: string;
  tone?: MessageTone;
  buttons?: readonly CardButton[];
}

const TONE_COLORS: Readonly<Record<MessageTone, TextColor>> = {
  info: 'Default',
  success: 'Good',
  warning: 'Warning',
  error: 'Attention',
};

export function messageView(input: MessageInput) {
  const tryThis = input.tryThis?.trim() ?? '';
  return {
    title: name(input.title, 200),
    titleColor: TONE_COLORS[input.tone ?? 'info'],
    text: sentence(input.text),
    hasText: input.text.trim() !== '',
    hasTryThis: tryThis !== '',
    tryThis: command(tryThis),
  };
}
