ZAPIER_HOOK=https://hooks.zapier.com/hooks/catch/<account>/<hook>/
ZAPIER_HOOK=https://hooks.zapier.com/
ZAPIER_HOOK=${ZAPIER_HOOK}
