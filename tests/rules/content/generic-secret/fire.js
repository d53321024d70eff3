const config = {
  region: 'eu-west-1',
  serviceApiKey: 'ImmyG90laA66FTO8M91fj0tY5kKsOJ0Z',
};
module.exports = config;
