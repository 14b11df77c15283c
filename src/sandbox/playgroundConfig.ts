// The Agents Playground's Teams as the sandbox sets it up: the bot is called "Partner Alerts", and the personal
// chat and the group chat keep the same ids from one start to the next, so a restarted sandbox finds the
// conversations (and the watches) of its last run. Without a config file the Playground calls the bot
// "Test Bot" and gives both chats new random ids at each start; the team and its channels have fixed ids
// either way. Everything else (tenant, users, team, channels) is the Playground's own built-in file, in the
// form its schema (config 0.1.1, `.m365agentsplayground.yml`) requires.

export const SANDBOX_BOT_NAME = 'Partner Alerts';

/** Fixed ids of the sandbox's chats (the Playground accepts any unique id; these look like its own). */
export const SANDBOX_CHATS = {
  personalChatId: 'a7c0f1e2-5b3d-4c8a-9e61-2f4d8b0c1a01',
  groupChatId: 'a7c0f1e2-5b3d-4c8a-9e61-2f4d8b0c1a02',
} as const;

export function sandboxPlaygroundConfig(): string {
  const users = [
    ['user-id-1', 'Megan', 'Bowen', 'meganb', 21],
    ['user-id-2', 'Adele', 'Vance', 'adelev', 22],
    ['user-id-3', 'Isaiah', 'Langer', 'isaiah', 23],
    ['user-id-4', 'Patti', 'Fernandez', 'pattif', 24],
    ['user-id-5', 'Lynne', 'Robbins', 'lynner', 25],
  ] as const;
  return [
    'version: "0.1.1"',
    'tenantId: 00000000-0000-0000-0000-0000000000001',
    'bot:',
    '  id: 00000000-0000-0000-0000-00000000000011',
    `  name: ${SANDBOX_BOT_NAME}`,
    'currentUser:',
    ...user('user-id-0', 'Alex', 'Wilber', 'alexw', 20, '  '),
    'users:',
    ...users.flatMap(([id, given, surname, mail, n]) => user(id, given, surname, mail, n, '    ', '  - ')),
    'personalChat:',
    `  id: ${SANDBOX_CHATS.personalChatId}`,
    'groupChat:',
    `  id: ${SANDBOX_CHATS.groupChatId}`,
    '  name: Group Chat',
    'team:',
    '  id: team-id',
    '  name: My Team',
    '  aadGroupId: 00000000-0000-0000-0000-000000000031',
    '  channels:',
    '    - id: channel-announcements-id',
    '      name: Announcements',
    '',
  ].join('\n');
}

function user(id: string, given: string, surname: string, mail: string, n: number, indent: string, first = indent): string[] {
  return [
    `${first}id: ${id}`,
    `${indent}name: ${given} ${surname}`,
    `${indent}userPrincipleName: ${mail}@example.com`,
    `${indent}aadObjectId: 00000000-0000-0000-0000-00000000000${n}`,
    `${indent}givenName: ${given}`,
    `${indent}surname: ${surname}`,
    `${indent}email: ${mail}@example.com`,
  ];
}
