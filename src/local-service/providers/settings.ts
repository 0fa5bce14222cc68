/** Where the provider checks go; tests point these at local stand-ins. */
export interface ProviderSettings {
  facebookGraphUrl: string;
  twitterApiUrl: string;
  /** Without both Twitter app credentials, Twitter login is refused. */
  twitterConsumerKey?: string;
  twitterConsumerSecret?: string;
  firebaseJwksUrl: string;
}

export const defaultProviderSettings: ProviderSettings = {
  facebookGraphUrl: 'https://graph.facebook.com',
  twitterApiUrl: 'https://api.twitter.com',
  firebaseJwksUrl: 'https://www.googleapis.com/service_accounts/v1/jwk/securetoken@system.gserviceaccount.com',
};
