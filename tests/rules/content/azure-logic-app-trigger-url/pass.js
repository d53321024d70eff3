const config = {
  region: 'eu-west-1',
  azureLogicAppTriggerUrl: '${AZURE_LOGIC_APP_TRIGGER_URL}',
  azureLogicAppTriggerUrlExample: '<your-token-here>',
  azureLogicAppTriggerUrlOld: 'https://prod-12.westeurope.logic.azure.com:443/workflows/f8720bb28968af3e8dd5484c6b078675/triggers/manual/paths/invoke?api-version=2016-0',
  azureLogicAppTriggerUrlDocs: 'https://prod-12.westeurope.logic.azure.com:443/workflows/00000000000000000000000000000000/00000000/000000/00000/000000?000-0000000=0000-00-00&00=%0000000000%00000000%00000&00=0.0&000=0000000000000000000000000000000000000000000',
};
module.exports = config;
