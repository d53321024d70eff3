const config = {
  region: 'eu-west-1',
  openaiServiceAccountKey: 'sk-svcacct-BPaDvPnIkdCtpnsADZaXH2rbFIXNGhLP5TmHXcjKaiOoewgAessLXmnMkdwinSBIAV6baNLbi8RXXClf0_m9',
};
module.exports = config;
