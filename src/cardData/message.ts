// View data of the simple notice card: errors, confirmations, hints.
import { buttons as button } from './buttons.js';
import { command, name, sentence, type CardButton, type ContainerStyle } from './format.js';

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

// The title says what happened; the band's tint only repeats it (coloured text is unreadable on some themes).
const TONE_STYLES: Readonly<Record<MessageTone, ContainerStyle>> = {
  info: 'default',
  success: 'good',
  warning: 'warning',
  error: 'attention',
};

/** Every notice offers a way on: the caller's buttons, or Help. */
export function messageButtons(input: MessageInput): readonly CardButton[] {
  return input.buttons && input.buttons.length > 0 ? input.buttons : [button.help()];
}

export function messageView(input: MessageInput) {
  const tryThis = input.tryThis?.trim() ?? '';
  return {
    title: name(input.title, 200),
    titleStyle: TONE_STYLES[input.tone ?? 'info'],
    text: sentence(input.text),
    hasText: input.text.trim() !== '',
    hasTryThis: tryThis !== '',
    tryThis: command(tryThis),
  };
}
