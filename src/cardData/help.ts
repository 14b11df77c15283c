// View data of the help and welcome cards: the commands people can type, each with an example.
import { command, sentence, type CardButton } from './format.js';

export interface CommandHelp {
  /** The syntax; `<words>` in angle brackets are placeholders and shown in italics. */
  syntax: string;
  description: string;
  example: string;
}

export const COMMANDS: readonly CommandHelp[] = [
  {
    syntax: 'status for <customer>',
    description: 'Active Office incidents of a customer, most severe first. “status Contoso” works too.',
    example: 'status for Contoso',
  },
  {
    syntax: 'customers [<prefix>]',
    description: 'Lists your customers, or those whose name starts with the prefix.',
    example: 'customers con',
  },
  {
    syntax: 'subscriptions for <customer>',
    description: 'A customer’s product subscriptions: licenses, status, term and renewal.',
    example: 'subscriptions for Fabrikam',
  },
  {
    syntax: 'orders for <customer>',
    description: 'A customer’s recent orders, newest first: date, status and products. Click one for its provisioning.',
    example: 'orders for Contoso',
  },
  {
    syntax: 'provisioning order <orderId> [for <customer>]',
    description: 'The provisioning state of each line item of an order.',
    example: 'provisioning order 9qg-ErcO-4MPbPqq_3MIQaS7bn8W6HfG1 for Contoso',
  },
  {
    syntax: 'watch <customer> [severity warning] [workloads Exchange,Teams]',
    description: 'Posts here when a customer’s incidents change; optionally only from a severity up, or for some workloads.',
    example: 'watch Contoso severity warning workloads Exchange,Teams',
  },
  {
    syntax: 'watch all',
    description: 'Posts here when an incident of any customer changes.',
    example: 'watch all',
  },
  {
    syntax: 'watch order <orderId> for <customer>',
    description: 'Posts here when the provisioning of the order’s line items changes.',
    example: 'watch order 9qg-ErcO-4MPbPqq_3MIQaS7bn8W6HfG1 for Contoso',
  },
  {
    syntax: 'unwatch <customer> | all | order <orderId>',
    description: 'Stops one of this conversation’s watches.',
    example: 'unwatch Contoso',
  },
  {
    syntax: 'watch subscriptions <customer> | all [severity warning]',
    description: 'Posts here when subscriptions are suspended, expire, near their end without renewal, or change.',
    example: 'watch subscriptions all severity warning',
  },
  {
    syntax: 'access for <customer> · access expiring [days]',
    description: 'A customer’s GDAP relationships (status, end, auto-extend, roles, groups); or every customer whose GDAP access ends within 1 to 365 days (30 if left out).',
    example: 'access expiring 30',
  },
  {
    syntax: 'watch access <customer> | all',
    description: 'Posts here when GDAP access nears its end (30, 7, 1 days), is lost or back, waits for approval, or nobody can use it.',
    example: 'watch access all',
  },
  { syntax: 'exclude <customer>', description: 'Leaves a customer out of every “all” watch here: “watch all” and “watch subscriptions all”.', example: 'exclude Contoso' },
  { syntax: 'watches', description: 'Lists what this conversation watches, and its digest and quiet hours.', example: 'watches' },
  {
    syntax: 'digest daily | weekdays <HH:MM> <time zone> · digest off | now',
    description: 'One summary card a day at that local time: active incidents, orders, what changed, who could not be checked.',
    example: 'digest weekdays 08:00 Europe/Amsterdam',
  },
  {
    syntax: 'quiet hours <HH:MM>-<HH:MM> <time zone> · quiet hours off',
    description: 'Only critical incidents and failed provisioning post during them; the rest comes as one summary at the end.',
    example: 'quiet hours 20:00-07:00 Europe/Amsterdam',
  },
  {
    syntax: 'tickets · tickets unmapped',
    description: 'PSA tickets (TICKETS): the PSA, the rules, the open tickets the bot made; the watched customers without a PSA company.',
    example: 'tickets unmapped',
  },
  {
    syntax: 'ticket map <customer> to <company id> · ticket unmap <customer>',
    description: 'Sets by hand which PSA company a customer’s tickets go to, or clears it.',
    example: 'ticket map Fabrikam to 103',
  },
  { syntax: 'poll now', description: 'Checks Partner Center right away and posts a summary here when done.', example: 'poll now' },
  { syntax: 'help', description: 'Shows this list.', example: 'help' },
];

const WELCOME_COMMANDS: readonly string[] = ['customers [<prefix>]', 'status for <customer>', 'watch <customer> [severity warning] [workloads Exchange,Teams]'];

export interface SyntaxRun {
  text: string;
  italic: boolean;
  weight: 'Default' | 'Bolder';
}

/** `status for <customer>` → bold `status for `, italic `customer`. */
export function syntaxRuns(syntax: string): SyntaxRun[] {
  return syntax
    .split(/(<[^<>]+>)/)
    .filter((part) => part !== '')
    .map((part): SyntaxRun =>
      part.startsWith('<') && part.endsWith('>')
        ? { text: part.slice(1, -1), italic: true, weight: 'Default' }
        : { text: part, italic: false, weight: 'Bolder' },
    );
}

export interface CommandView {
  syntax: SyntaxRun[];
  description: string;
  example: string;
}

function commandView(help: CommandHelp): CommandView {
  return { syntax: syntaxRuns(help.syntax), description: help.description, example: command(help.example) };
}

export interface HelpInput {
  /** A sentence before the list, e.g. `I didn't understand “xyz”.` (may quote user text). */
  lead?: string;
  buttons?: readonly CardButton[];
}

export function helpView(input: HelpInput = {}) {
  const lead = input.lead?.trim() ?? '';
  return {
    title: 'What I can do',
    hasLead: lead !== '',
    lead: lead === '' ? '' : sentence(lead, 500),
    intro: 'Type a command in this chat (in a channel, mention me first). Names can be the start of a customer’s name.',
    commands: COMMANDS.map(commandView),
  };
}

export interface WelcomeInput {
  buttons?: readonly CardButton[];
}

export function welcomeView(_input: WelcomeInput = {}) {
  const byName = new Map(COMMANDS.map((help) => [help.syntax, help]));
  return {
    title: 'Hello! I’m Partner Alerts.',
    text: 'I keep an eye on your CSP customers in Partner Center and post here when an Office service incident or an order’s provisioning changes.',
    tryTitle: 'Three things to try first',
    commands: WELCOME_COMMANDS.map((syntax) => byName.get(syntax)).filter((help) => help !== undefined).map(commandView),
    footer: 'Type “help” for everything I can do.',
  };
}
