const config = {
  region: 'eu-west-1',
  firecrawlApiKey: 'fc-5ee7937e26ae2be833e342c2435f81d2',
};
module.exports = config;
