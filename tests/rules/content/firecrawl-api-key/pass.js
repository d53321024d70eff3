const config = {
  region: 'eu-west-1',
  firecrawlApiKey: '${FIRECRAWL_API_KEY}',
  firecrawlApiKeyExample: '<your-token-here>',
  firecrawlApiKeyOld: 'fc-5ee7937e26ae2be8',
  firecrawlApiKeyDocs: 'fc-00000000000000000000000000000000',
};
module.exports = config;
