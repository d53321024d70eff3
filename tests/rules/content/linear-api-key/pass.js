const config = {
  region: 'eu-west-1',
  linearApiKey: '${LINEAR_API_KEY}',
  linearApiKeyExample: '<your-token-here>',
  linearApiKeyOld: 'lin_api_lYFBaWvss6MBJ04p9n7G',
  linearApiKeyDocs: 'lin_api_0000000000000000000000000000000000000000',
};
module.exports = config;
