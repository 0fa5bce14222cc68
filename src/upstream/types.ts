/** Wire shapes of the users/auth REST API (see shared/upstream-api.md). */

export interface UpstreamUser {
  id: number;
  login: string | null;
  email: string | null;
  full_name: string | null;
  phone: string | null;
  website: string | null;
  created_at: string;
  updated_at: string;
  last_request_at: string | null;
  external_user_id?: number | string | null;
  external_id?: string | number | null;
  facebook_id: string | null;
  twitter_id: string | null;
  custom_data: string | null;
  user_tags: string | null;
  avatar?: string | null;
  blob_id?: number | null;
  timezone: number | null;
  is_guest?: boolean | null;
}

export interface UpstreamSession {
  id: number;
  user_id: number | null;
  application_id: number;
  nonce?: number | string | null;
  token: string;
  ts?: number | null;
  created_at: string;
  updated_at: string;
  user?: UpstreamUser | null;
}

export interface UpstreamBlob {
  id: number;
  uid: string;
  content_type: string;
  name: string;
  size: number | null;
  public: boolean;
  created_at: string;
  updated_at: string;
  blob_status?: string | null;
  set_completed_at?: string | null;
  /** The upload grant (`params`) after creation, or the download grant with `download_url=1`. */
  blob_object_access?: {
    id?: number;
    blob_id?: number;
    expires?: string;
    object_access_type?: 'Write' | 'Read';
    params?: string;
    download_url?: string;
    /** The same URL as spelled in the storage docs' example response; read when `download_url` is absent. */
    dowload_url?: string;
  };
}

export interface UsersPage {
  limit: number;
  skip: number;
  total_entries: number;
  items: UpstreamUser[];
}

/** A session as the gateway hands it to resolvers: the upstream record plus its expiry. */
export interface SessionRecord extends UpstreamSession {
  /** From the response's `CB-Token-ExpirationDate`, when it carried one. */
  expiresAt: Date | null;
}

/** The application the gateway acts for. */
export interface AppCredentials {
  applicationId: number;
  authKey: string;
  authSecret?: string | undefined;
}
