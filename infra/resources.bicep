// Everything Partner Alerts runs on, in one resource group: Log Analytics, a container registry, Key Vault,
// PostgreSQL Flexible Server, a Container Apps environment with the bot (two replicas on one database, as
// the README's "Several instances on PostgreSQL"), and the Azure Bot with its Teams channel.
// The bot's identity is a user-assigned managed identity (MicrosoftAppType=UserAssignedMSI): no app secret
// to rotate, and new multi-tenant bot registrations are refused anyway. The same identity pulls the image
// and reads the Key Vault secrets.

param location string
param tags object
param resourceToken string
param principalId string
param botImageName string
param partnerTenantId string
param partnerCenterClientId string
@secure()
param partnerCenterClientSecret string
@secure()
param stateEncryptionKey string
@secure()
param healthToken string
@secure()
param postgresAdminPassword string
@secure()
param webhookUrls string
@secure()
param webhookSecret string
param tickets string
param autotaskUsername string
@secure()
param autotaskSecret string
@secure()
param autotaskIntegrationCode string
param autotaskQueueId string
param connectwiseUrl string
param connectwiseCompany string
param connectwisePublicKey string
@secure()
param connectwisePrivateKey string
param connectwiseClientId string
param connectwiseBoard string

var postgresAdmin = 'partneralerts'
var databaseName = 'partner_alerts'
// Built-in role definition ids.
var acrPull = '7f951dda-4ed3-4680-a7ca-43fe172d538d'
var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-bot-${resourceToken}'
  location: location
  tags: tags
}

resource logs 'Microsoft.OperationalInsights/workspaces@2022-10-01' = {
  name: 'log-${resourceToken}'
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
  }
}

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
  name: 'cr${resourceToken}'
  location: location
  tags: tags
  sku: { name: 'Basic' }
  properties: { adminUserEnabled: false }
}

resource registryPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: registry
  name: guid(registry.id, identity.id, acrPull)
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPull)
  }
}

resource postgres 'Microsoft.DBforPostgreSQL/flexibleServers@2024-08-01' = {
  name: 'psql-${resourceToken}'
  location: location
  tags: tags
  sku: { name: 'Standard_B1ms', tier: 'Burstable' }
  properties: {
    version: '16'
    administratorLogin: postgresAdmin
    administratorLoginPassword: postgresAdminPassword
    storage: { storageSizeGB: 32 }
    backup: { backupRetentionDays: 7, geoRedundantBackup: 'Disabled' }
    highAvailability: { mode: 'Disabled' }
  }
}

resource database 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2024-08-01' = {
  parent: postgres
  name: databaseName
}

// 0.0.0.0 to 0.0.0.0 is Azure's "allow Azure services": Container Apps on the consumption plan has no fixed
// outbound address. TLS is required (sslmode=require) and the password stays in Key Vault.
resource postgresFromAzure 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2024-08-01' = {
  parent: postgres
  name: 'AllowAllAzureServicesAndResourcesWithinAzureIps'
  properties: { startIpAddress: '0.0.0.0', endIpAddress: '0.0.0.0' }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: 'kv-${resourceToken}'
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
  }
}

// Key Vault secret names allow no underscore: the app's variable names with hyphens.
var secrets = {
  'PARTNER-CENTER-CLIENT-SECRET': partnerCenterClientSecret
  'STATE-ENCRYPTION-KEY': stateEncryptionKey
  'HEALTH-TOKEN': healthToken
  'DATABASE-URL': 'postgres://${postgresAdmin}:${uriComponent(postgresAdminPassword)}@${postgres.properties.fullyQualifiedDomainName}:5432/${databaseName}?sslmode=require'
  // Optional (webhooks, PSA tickets). Container Apps cannot read an empty Key Vault secret
  // (microsoft/azure-container-apps#1291): one left empty holds a single space, which the app reads as unset.
  'WEBHOOK-URLS': empty(webhookUrls) ? ' ' : webhookUrls
  'WEBHOOK-SECRET': empty(webhookSecret) ? ' ' : webhookSecret
  'AUTOTASK-SECRET': empty(autotaskSecret) ? ' ' : autotaskSecret
  'AUTOTASK-INTEGRATION-CODE': empty(autotaskIntegrationCode) ? ' ' : autotaskIntegrationCode
  'CONNECTWISE-PRIVATE-KEY': empty(connectwisePrivateKey) ? ' ' : connectwisePrivateKey
}

resource vaultSecrets 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = [for secret in items(secrets): {
  parent: vault
  name: secret.key
  properties: { value: secret.value }
}]

resource botReadsSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, identity.id, keyVaultSecretsUser)
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
  }
}

// The operator running `azd up` reads DATABASE_URL and STATE_ENCRYPTION_KEY back for connect-partner-center,
// and HEALTH_TOKEN for the Prometheus scraper.
resource operatorReadsSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(principalId)) {
  scope: vault
  name: guid(vault.id, principalId, keyVaultSecretsUser)
  properties: {
    principalId: principalId
    principalType: 'User'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
  }
}

resource environment 'Microsoft.App/managedEnvironments@2024-03-01' = {
  name: 'cae-${resourceToken}'
  location: location
  tags: tags
  properties: {
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsConfiguration: {
        customerId: logs.properties.customerId
        sharedKey: logs.listKeys().primarySharedKey
      }
    }
  }
}

resource app 'Microsoft.App/containerApps@2024-03-01' = {
  name: 'ca-bot-${resourceToken}'
  location: location
  // azd deploys the `bot` service of azure.yaml to the app carrying this tag.
  tags: union(tags, { 'azd-service-name': 'bot' })
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  dependsOn: [registryPull, botReadsSecrets, vaultSecrets, database, postgresFromAzure]
  properties: {
    managedEnvironmentId: environment.id
    configuration: {
      activeRevisionsMode: 'Single'
      ingress: {
        external: true
        targetPort: 3978
        transport: 'auto'
        allowInsecure: false
      }
      registries: [{ server: registry.properties.loginServer, identity: identity.id }]
      // References to Key Vault, fetched with the bot's identity: the values are never part of the app.
      secrets: [
        { name: 'partner-center-client-secret', keyVaultUrl: '${vault.properties.vaultUri}secrets/PARTNER-CENTER-CLIENT-SECRET', identity: identity.id }
        { name: 'state-encryption-key', keyVaultUrl: '${vault.properties.vaultUri}secrets/STATE-ENCRYPTION-KEY', identity: identity.id }
        { name: 'health-token', keyVaultUrl: '${vault.properties.vaultUri}secrets/HEALTH-TOKEN', identity: identity.id }
        { name: 'database-url', keyVaultUrl: '${vault.properties.vaultUri}secrets/DATABASE-URL', identity: identity.id }
        { name: 'webhook-urls', keyVaultUrl: '${vault.properties.vaultUri}secrets/WEBHOOK-URLS', identity: identity.id }
        { name: 'webhook-secret', keyVaultUrl: '${vault.properties.vaultUri}secrets/WEBHOOK-SECRET', identity: identity.id }
        { name: 'autotask-secret', keyVaultUrl: '${vault.properties.vaultUri}secrets/AUTOTASK-SECRET', identity: identity.id }
        { name: 'autotask-integration-code', keyVaultUrl: '${vault.properties.vaultUri}secrets/AUTOTASK-INTEGRATION-CODE', identity: identity.id }
        { name: 'connectwise-private-key', keyVaultUrl: '${vault.properties.vaultUri}secrets/CONNECTWISE-PRIVATE-KEY', identity: identity.id }
      ]
    }
    template: {
      containers: [
        {
          name: 'bot'
          // Before the first `azd deploy` there is no image of ours yet: a placeholder keeps the app valid.
          image: empty(botImageName) ? 'mcr.microsoft.com/azuredocs/containerapps-helloworld:latest' : botImageName
          resources: { cpu: json('0.5'), memory: '1Gi' }
          env: [
            { name: 'MicrosoftAppType', value: 'UserAssignedMSI' }
            { name: 'MicrosoftAppId', value: identity.properties.clientId }
            { name: 'MicrosoftAppTenantId', value: tenant().tenantId }
            { name: 'PARTNER_TENANT_ID', value: partnerTenantId }
            { name: 'PARTNER_CENTER_CLIENT_ID', value: partnerCenterClientId }
            { name: 'PARTNER_CENTER_CLIENT_SECRET', secretRef: 'partner-center-client-secret' }
            { name: 'STATE_ENCRYPTION_KEY', secretRef: 'state-encryption-key' }
            // Without it production answers /healthz and /metrics 401 to everyone, scrapers included.
            { name: 'HEALTH_TOKEN', secretRef: 'health-token' }
            { name: 'DATABASE_URL', secretRef: 'database-url' }
            // Webhooks and PSA tickets (README "Tickets and webhooks"); empty ones leave them off.
            { name: 'WEBHOOK_URLS', secretRef: 'webhook-urls' }
            { name: 'WEBHOOK_SECRET', secretRef: 'webhook-secret' }
            { name: 'TICKETS', value: tickets }
            { name: 'AUTOTASK_USERNAME', value: autotaskUsername }
            { name: 'AUTOTASK_SECRET', secretRef: 'autotask-secret' }
            { name: 'AUTOTASK_INTEGRATION_CODE', secretRef: 'autotask-integration-code' }
            { name: 'AUTOTASK_QUEUE_ID', value: autotaskQueueId }
            { name: 'CONNECTWISE_URL', value: connectwiseUrl }
            { name: 'CONNECTWISE_COMPANY', value: connectwiseCompany }
            { name: 'CONNECTWISE_PUBLIC_KEY', value: connectwisePublicKey }
            { name: 'CONNECTWISE_PRIVATE_KEY', secretRef: 'connectwise-private-key' }
            { name: 'CONNECTWISE_CLIENT_ID', value: connectwiseClientId }
            { name: 'CONNECTWISE_BOARD', value: connectwiseBoard }
          ]
          // No readiness probe: /readyz answers 503 when Partner Center refuses the token or the sweep stalls,
          // which would take both replicas out of the ingress, and Teams could not reach the bot even for
          // `help` or `watches`. Watch /readyz from monitoring instead. (The placeholder listens on port 80 and
          // fails them until azd deploy replaces it; it serves nothing meanwhile.)
          probes: [
            { type: 'Startup', httpGet: { path: '/livez', port: 3978 }, periodSeconds: 5, failureThreshold: 24 }
            { type: 'Liveness', httpGet: { path: '/livez', port: 3978 }, periodSeconds: 30 }
          ]
        }
      ]
      // Two instances act as one bot on the shared database: one sweeps, both answer and deliver.
      scale: { minReplicas: 2, maxReplicas: 2 }
    }
  }
}

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: 'bot-${resourceToken}'
  location: 'global'
  tags: tags
  kind: 'azurebot'
  sku: { name: 'F0' }
  properties: {
    displayName: 'Partner Alerts'
    endpoint: 'https://${app.properties.configuration.ingress.fqdn}/api/messages'
    msaAppType: 'UserAssignedMSI'
    msaAppId: identity.properties.clientId
    msaAppMSIResourceId: identity.id
    msaAppTenantId: tenant().tenantId
  }
}

resource teams 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: { isEnabled: true, acceptedTerms: true }
  }
}

output registryLoginServer string = registry.properties.loginServer
output keyVaultName string = vault.name
output postgresServerName string = postgres.name
output appName string = app.name
output appFqdn string = app.properties.configuration.ingress.fqdn
output botAppId string = identity.properties.clientId
