const config = {
  region: 'eu-west-1',
  openaiServiceAccountKey: '${OPENAI_SERVICE_ACCOUNT_KEY}',
  openaiServiceAccountKeyExample: '<your-token-here>',
  openaiServiceAccountKeyOld: 'sk-svcacct-BPaDvPnIkdCtpnsADZaXH2rbFIXNGhLP5TmHXcjKai',
  openaiServiceAccountKeyDocs: 'sk-svcacct-000000000000000000000000000000000000000000000000000000000000000000000000000000000_00',
};
module.exports = config;
