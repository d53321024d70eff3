const config = {
  region: 'eu-west-1',
  azureLogicAppTriggerUrl: 'https://prod-12.westeurope.logic.azure.com:443/workflows/f8720bb28968af3e8dd5484c6b078675/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=3Zqyk4mnuMlseo0CeTvfUFX6roWeVJgm1D9VLvgiO21',
};
module.exports = config;
