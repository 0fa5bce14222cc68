import type { Transporter } from 'nodemailer';
import type { Db } from '../store/database.ts';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  send(mail: Mail): Promise<void>;
}

export interface SmtpSettings {
  url: string;
  from: string;
}

/** SMTP when configured; otherwise mail is kept in the outbox table for the developer to read. */
export function createMailer(db: Db, smtp: SmtpSettings | undefined): Mailer {
  if (smtp) {
    // nodemailer is loaded with the first mail: most starts never send one.
    let transport: Promise<Transporter> | undefined;
    return {
      async send(mail) {
        transport ??= import('nodemailer').then(({ default: nodemailer }) => nodemailer.createTransport(smtp.url));
        await (await transport).sendMail({ from: smtp.from, ...mail });
      },
    };
  }
  return {
    async send(mail) {
      await db.insertInto('outbox').values({ to_address: mail.to, subject: mail.subject, text: mail.text }).execute();
    },
  };
}
