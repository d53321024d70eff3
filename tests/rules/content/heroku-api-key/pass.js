const config = {
  region: 'eu-west-1',
  herokuApiKey: '${HEROKU_API_KEY}',
  herokuApiKeyExample: '<your-token-here>',
  herokuApiKeyOld: 'HRKU-Upjje7GIIfEvO-EUbVehrfHFj6vVg',
  herokuApiKeyDocs: 'HRKU-0000000000000-00000000000000000000000000000000000000000000',
};
module.exports = config;
