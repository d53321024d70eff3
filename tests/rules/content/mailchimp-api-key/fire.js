const config = {
  region: 'eu-west-1',
  mailchimpApiKey: 'fda316b083879c09288cef162e13b268-us17',
};
module.exports = config;
