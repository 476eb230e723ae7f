import type { Messages } from './ar.js';

const rules = new Intl.PluralRules('fr');
// French says "0 caractère" in the singular (rule `one`), so zero is spelled out where it reads better.
const chars = (n: number, s: string) => (rules.select(n) === 'one' ? `${s} caractère` : `${s} caractères`);

const closed = 'Les commentaires sont fermés pour cet article.';

export const fr = {
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
  closed,
  sort: 'Trier',
  sorts: { newest: 'Les plus récents', oldest: 'Les plus anciens', popular: 'Les plus appréciés' },
  fresh: (n: number, s = String(n)) =>
    rules.select(n) === 'one' ? `${s} nouveau commentaire` : `${s} nouveaux commentaires`,
  reply: 'Répondre',
  replyLabel: 'Votre réponse',
  replyTo: 'En réponse à',
  moreReplies: (n: number, s = String(n)) =>
    rules.select(n) === 'one' ? `Afficher ${s} réponse` : `Afficher ${s} réponses`,
  cancel: 'Annuler',
  like: 'J’aime',
  dislike: 'Je n’aime pas',
  edit: 'Modifier',
  save: 'Enregistrer',
  saved: 'Modification enregistrée.',
  delete: 'Supprimer',
  confirmDelete: 'Supprimer définitivement ce commentaire ?',
  deleted: 'Votre commentaire a été supprimé.',
  report: 'Signaler',
  reportReason: 'Motif du signalement',
  reasons: { spam: 'Spam', abuse: 'Propos abusifs', 'off-topic': 'Hors sujet', other: 'Autre motif' },
  reportNote: 'Précision (facultative)',
  reported: 'Merci, les modérateurs examineront ce commentaire.',
  signedInAs: 'Connecté en tant que',
  errors: {
    network: 'Impossible de joindre le serveur de commentaires. Vérifiez votre connexion puis réessayez.',
    validation_failed: 'Vérifiez les champs signalés.',
    unauthorized: 'Vous devez être connecté.',
    forbidden: 'Cette action ne vous est pas permise.',
    origin_not_allowed: 'Cette page n’est pas autorisée à utiliser le service de commentaires.',
    not_found: 'Ce commentaire ou cette discussion n’existe pas.',
    thread_closed: closed,
    edit_window_closed: 'Le délai de modification est passé.',
    rate_limited: 'Trop de requêtes en peu de temps. Patientez un peu puis réessayez.',
    internal: 'Le serveur de commentaires a rencontré une erreur. Réessayez dans un instant.',
  },
} satisfies Messages;
