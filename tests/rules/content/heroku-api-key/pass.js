const config = {
  region: 'eu-west-1',
  herokuApiKey: '${HEROKU_API_KEY}',
  herokuApiKeyExample: '<your-token-here>',
  herokuApiKeyOld: 'HRKU-AADUpjje7GIIfEvO-EUbVehrfHFj6vV',
  herokuApiKeyDocs: 'HRKU-AA00000000000000-0000000000000000000000000000000000000000000',
};
module.exports = config;
