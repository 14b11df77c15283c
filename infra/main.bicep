// Partner Alerts on Azure, for `azd up`: one resource group holding everything (infra/resources.bicep).
// Secrets arrive as secure parameters (azd asks for them once and keeps them in its environment) and go
// straight into Key Vault; the app reads them from there, never as plain settings.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name: names the resource group and tags every resource.')
param environmentName string

@minLength(1)
@description('Azure region of every resource (the Azure Bot itself is global).')
param location string

@description('The signed-in user azd runs as (AZURE_PRINCIPAL_ID): may read the Key Vault secrets, e.g. DATABASE_URL for npm run connect-partner-center.')
param principalId string = ''

@description('The image azd built and pushed (SERVICE_BOT_IMAGE_NAME); empty at the first provision, before azd deploy.')
param botImageName string = ''

@description('PARTNER_TENANT_ID: the partner\'s own tenant id.')
param partnerTenantId string

@description('PARTNER_CENTER_CLIENT_ID: the Entra app registered for Partner Center (secure application model).')
param partnerCenterClientId string

@secure()
@description('PARTNER_CENTER_CLIENT_SECRET of that app.')
param partnerCenterClientSecret string

@secure()
@description('STATE_ENCRYPTION_KEY: 32 random bytes, base64 (openssl rand -base64 32); encrypts the stored refresh token.')
param stateEncryptionKey string

// The app refuses a HEALTH_TOKEN shorter than 32 characters at start; refusing it here stops `azd up` before
// anything is deployed instead of leaving two replicas that cannot start.
@secure()
@minLength(32)
@description('HEALTH_TOKEN: the bearer /healthz and /metrics require, at least 32 random characters (openssl rand -hex 32).')
param healthToken string

@secure()
@description('Administrator password of the PostgreSQL server; it reaches the app only inside DATABASE_URL, in Key Vault.')
param postgresAdminPassword string

// Webhooks and PSA tickets are optional: each defaults to empty (off). The URLs (a Power Automate or n8n URL
// carries its key in the query) and the secrets go to Key Vault like the ones above.
@secure()
@description('WEBHOOK_URLS: https URLs, comma-separated, each alert event is POSTed to; empty: no webhooks.')
param webhookUrls string = ''

@secure()
@description('WEBHOOK_SECRET: signs every webhook body; empty: unsigned.')
param webhookSecret string = ''

@allowed(['', 'autotask', 'connectwise'])
@description('TICKETS: autotask or connectwise for one PSA ticket per problem episode per customer; empty: none.')
param tickets string = ''

@description('AUTOTASK_USERNAME: the Autotask API user.')
param autotaskUsername string = ''

@secure()
@description('AUTOTASK_SECRET: the Autotask API user\'s secret.')
param autotaskSecret string = ''

@secure()
@description('AUTOTASK_INTEGRATION_CODE: the API tracking identifier.')
param autotaskIntegrationCode string = ''

@description('AUTOTASK_QUEUE_ID: the queue of new tickets.')
param autotaskQueueId string = ''

@description('CONNECTWISE_URL: the ConnectWise PSA API site, e.g. https://api-na.myconnectwise.net; empty: that one.')
param connectwiseUrl string = ''

@description('CONNECTWISE_COMPANY: the company id ConnectWise PSA signs in with.')
param connectwiseCompany string = ''

@description('CONNECTWISE_PUBLIC_KEY: the API member\'s public key.')
param connectwisePublicKey string = ''

@secure()
@description('CONNECTWISE_PRIVATE_KEY: the API member\'s private key.')
param connectwisePrivateKey string = ''

@description('CONNECTWISE_CLIENT_ID: the clientId of the integration.')
param connectwiseClientId string = ''

@description('CONNECTWISE_BOARD: the board of new tickets, a name or an id.')
param connectwiseBoard string = ''

var tags = { 'azd-env-name': environmentName }

resource group 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module resources 'resources.bicep' = {
  name: 'partner-alerts'
  scope: group
  params: {
    location: location
    tags: tags
    resourceToken: toLower(uniqueString(subscription().id, environmentName, location))
    principalId: principalId
    botImageName: botImageName
    partnerTenantId: partnerTenantId
    partnerCenterClientId: partnerCenterClientId
    partnerCenterClientSecret: partnerCenterClientSecret
    stateEncryptionKey: stateEncryptionKey
    healthToken: healthToken
    postgresAdminPassword: postgresAdminPassword
    webhookUrls: webhookUrls
    webhookSecret: webhookSecret
    tickets: tickets
    autotaskUsername: autotaskUsername
    autotaskSecret: autotaskSecret
    autotaskIntegrationCode: autotaskIntegrationCode
    autotaskQueueId: autotaskQueueId
    connectwiseUrl: connectwiseUrl
    connectwiseCompany: connectwiseCompany
    connectwisePublicKey: connectwisePublicKey
    connectwisePrivateKey: connectwisePrivateKey
    connectwiseClientId: connectwiseClientId
    connectwiseBoard: connectwiseBoard
  }
}

// azd reads these: where to push the image, and what the README's later steps need.
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = resources.outputs.registryLoginServer
output AZURE_RESOURCE_GROUP string = group.name
output AZURE_KEY_VAULT_NAME string = resources.outputs.keyVaultName
output AZURE_POSTGRES_SERVER_NAME string = resources.outputs.postgresServerName
output AZURE_CONTAINER_APP_NAME string = resources.outputs.appName
output BOT_DOMAIN string = resources.outputs.appFqdn
output BOT_MESSAGING_ENDPOINT string = 'https://${resources.outputs.appFqdn}/api/messages'
output MicrosoftAppId string = resources.outputs.botAppId
