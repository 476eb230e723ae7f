import type { Messages } from './ar.js';

const rules = new Intl.PluralRules('fr');
// French says "0 caractère" in the singular (rule `one`), so zero is spelled out where it reads better.
const chars = (n: number, s: string) => (rules.select(n) === 'one' ? `${s} caractère` : `${s} caractères`);

export const fr = {
  $dir: 'ltr',
  heading: 'Commentaires',
  comments: (n: number, s = String(n)) =>
    n === 0 ? 'Aucun commentaire' : rules.select(n) === 'one' ? `${s} commentaire` : `${s} commentaires`,
  nameLabel: 'Nom',
  bodyLabel: 'Votre commentaire',
  send: 'Publier le commentaire',
  sending: 'Publication…',
  remaining: (n: number, s = String(n)) =>
    n === 0 ? 'Plus aucun caractère disponible' : rules.select(n) === 'one' ? `${s} caractère restant` : `${s} caractères restants`,
  nameRequired: 'Indiquez votre nom.',
  nameTooLong: (n: number, s = String(n)) => `Le nom est trop long : ${chars(n, s)} au maximum.`,
  bodyRequired: 'Écrivez votre commentaire avant de le publier.',
  bodyTooLong: (n: number, s = String(n)) => `Le commentaire est trop long : ${chars(n, s)} au maximum.`,
  draftKept: 'Votre texte est conservé ici.',
  pending: 'En attente de modération',
  postedPending: 'Votre commentaire a bien été reçu ; il sera visible de tous après modération.',
  postedApproved: 'Votre commentaire est publié.',
  loading: 'Chargement des commentaires…',
  empty: 'Aucun commentaire pour l’instant. Soyez le premier à réagir.',
  loadError: 'Impossible de charger les commentaires.',
  retry: 'Réessayer',
  more: 'Afficher plus de commentaires',
  loadingMore: 'Chargement d’autres commentaires…',
  verified: 'Compte vérifié',
  edited: 'modifié',
  closed: 'Les commentaires sont fermés pour cet article.',
  errors: {
    network: 'Impossible de joindre le serveur de commentaires. Vérifiez votre connexion puis réessayez.',
    bad_request: 'Le serveur n’a pas compris la requête.',
    validation_failed: 'Vérifiez les champs signalés.',
    unauthorized: 'Vous devez être connecté.',
    forbidden: 'Cette action ne vous est pas permise.',
    origin_not_allowed: 'Cette page n’est pas autorisée à utiliser le service de commentaires.',
    not_found: 'Introuvable.',
    site_not_found: 'Ce site n’est pas enregistré auprès du service de commentaires.',
    thread_not_found: 'Cette discussion est introuvable.',
    comment_not_found: 'Ce commentaire est introuvable.',
    thread_closed: 'Les commentaires sont fermés pour cet article.',
    edit_window_closed: 'Le délai de modification est passé.',
    conflict: 'Votre demande est en conflit avec une autre modification. Réessayez.',
    payload_too_large: 'Le commentaire est trop long.',
    unsupported_media_type: 'Type de contenu non pris en charge.',
    rate_limited: 'Trop de requêtes en peu de temps. Patientez un peu puis réessayez.',
    internal: 'Le serveur de commentaires a rencontré une erreur. Réessayez dans un instant.',
  },
} satisfies Messages;
