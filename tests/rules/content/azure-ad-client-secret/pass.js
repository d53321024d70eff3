const config = {
  region: 'eu-west-1',
  azureAdClientSecret: '${AZURE_AD_CLIENT_SECRET}',
  azureAdClientSecretExample: '<your-token-here>',
  azureAdClientSecretOld: 'jbB8Q~Kqw_84QpAvRpbM',
  azureAdClientSecretDocs: '00000~000_000000000000000000000000000000',
};
module.exports = config;
