const config = {
  region: 'eu-west-1',
  tinesWebhookUrl: 'https://acme.tines.com/webhook/857nikl3w7h55xuhaslyvn4r0ps7bhil/xp7bpol8pbnc6svwujuajaepbgcz34o2',
};
module.exports = config;
