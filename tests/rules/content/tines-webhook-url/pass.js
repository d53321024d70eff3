const config = {
  region: 'eu-west-1',
  tinesWebhookUrl: '${TINES_WEBHOOK_URL}',
  tinesWebhookUrlExample: '<your-token-here>',
  tinesWebhookUrlOld: 'https://acme.tines.com/webhook/857nikl3w7h55xuhaslyvn4r0ps7bhil',
  tinesWebhookUrlDocs: 'https://acme.tines.com/webhook/00000000000000000000000000000000/00000000000000000000000000000000',
};
module.exports = config;
