const config = {
  apiKey: 'your_api_key_here',
  token: '${TOKEN}',
  clientSecret: 'xxxxxxxxxxxxxxxxxxxxxxxx',
  accessKey: 'aaaaaaaaaaaaaaaaaaaa',
  secretName: 'billing',
  apiKey2: '<insert-key>',
};
