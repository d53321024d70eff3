const config = {
  apiKey: 'your_api_key_here',
  token: '${TOKEN}',
  clientSecret: 'xxxxxxxxxxxxxxxxxxxxxxxx',
  accessKey: 'aaaaaaaaaaaaaaaaaaaa',
  secretName: 'billing',
  apiKey2: '<insert-key>',
  clientRequestToken: '4ebd4cb3-d703-4a69-ae0c-64b7d9e6abb0',
  secretVersionId: 'Q2hhbmdlZFZlcnNpb25JZDAx',
  accessKeyId: 'AKIAQWERTYUIOPASDF23',
};
