const config = {
  region: 'eu-west-1',
  fastlyApiToken: '5KZsNDKDl24HRbbFZQcpnTVhtSagrBzm',
};
module.exports = config;
