// What the PSA fakes and their vendor routes share: the sandbox credentials and each vendor's error shape.

/** What the fakes accept; the sandbox's own values, which main.ts hands the bot when TICKETS has no credentials. */
export const PSA_SANDBOX_CREDENTIALS = {
  autotask: { username: 'partner-alerts@sandbox.example', secret: 'sandbox-autotask-secret', integrationCode: 'SANDBOXINTEGRATIONCODE', queueId: 8 },
  connectwise: { company: 'sandbox', publicKey: 'sandboxpublic', privateKey: 'sandboxprivate', clientId: '00000000-0000-4000-8000-00000000c11d', board: 'Service Board' },
} as const;

/** Each vendor's error shape: Autotask { errors: [...] }, ConnectWise { code, message, errors }. */
export function errorBody(psa: 'autotask' | 'connectwise', message: string): unknown {
  return psa === 'autotask' ? { errors: [message] } : { code: 'InvalidObject', message, errors: [] };
}

