const config = {
  region: 'eu-west-1',
  slackUserToken: '${SLACK_USER_TOKEN}',
  slackUserTokenExample: '<your-token-here>',
  slackUserTokenOld: 'xoxe-1325141287-8121652175-533446567',
  slackUserTokenDocs: 'xox0-0000000000-0000000000-0000000000-00000000000000000000000000000000',
};
module.exports = config;
