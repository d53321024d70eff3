const config = {
  region: 'eu-west-1',
  linearApiKey: 'lin_api_lYFBaWvss6MBJ04p9n7GMQlrxsQoulJJ7SCUuf59',
};
module.exports = config;
